"""HomeCredit_columns_description.csv for the demo data, in our own words.

Same layout as the competition's file (``,Table,Row,Description,Special``), latin-1
encoded, so that the pipelines read demo and real data the same way. Key columns have
a hand-written sentence; the others are spelled out from their name.
"""

from __future__ import annotations

import csv
from pathlib import Path

from credit_scoring_kedro.schema import raw_schemas

KEY_COLUMNS = {
    "SK_ID_CURR": "ID of the loan application (the client)",
    "SK_ID_BUREAU": "ID of a credit reported by the Credit Bureau",
    "SK_ID_PREV": "ID of a previous Home Credit application",
    "TARGET": "1 = the client had payment difficulties, 0 = all other cases",
    "AMT_INCOME_TOTAL": "Yearly income of the client",
    "AMT_CREDIT": "Amount of the loan",
    "AMT_ANNUITY": "Loan annuity (regular repayment)",
    "AMT_GOODS_PRICE": "Price of the goods the loan pays for",
    "DAYS_BIRTH": "Client's age in days at the application (negative)",
    "DAYS_EMPLOYED": "Days in the current job before the application (negative)",
    "DAYS_REGISTRATION": "Days since the client last changed their registration",
    "DAYS_ID_PUBLISH": "Days since the client last changed their identity document",
    "DAYS_LAST_PHONE_CHANGE": "Days since the client last changed phone",
    "EXT_SOURCE_1": "Normalized score from external data source 1",
    "EXT_SOURCE_2": "Normalized score from external data source 2",
    "EXT_SOURCE_3": "Normalized score from external data source 3",
    "CODE_GENDER": "Gender of the client",
    "CNT_CHILDREN": "Number of children of the client",
    "CNT_FAM_MEMBERS": "Number of family members of the client",
    "NAME_CONTRACT_TYPE": "Whether the loan is a cash loan or a revolving loan",
    "NAME_INCOME_TYPE": "Client's income type (working, pensioner, ...)",
    "NAME_EDUCATION_TYPE": "Highest education level of the client",
    "NAME_FAMILY_STATUS": "Family status of the client",
    "NAME_HOUSING_TYPE": "Housing situation of the client",
    "OCCUPATION_TYPE": "Kind of occupation of the client",
    "ORGANIZATION_TYPE": "Type of organization where the client works",
    "OWN_CAR_AGE": "Age of the client's car",
    "REGION_RATING_CLIENT": "Home Credit's rating of the region where the client lives (1, 2, 3)",
    "REGION_POPULATION_RELATIVE": "Normalized population of the region where the client lives",
    "CREDIT_ACTIVE": "Status of the Credit Bureau credit (active, closed, ...)",
    "CREDIT_DAY_OVERDUE": "Days past due on the Credit Bureau credit at the application",
    "AMT_CREDIT_SUM": "Current amount of the Credit Bureau credit",
    "AMT_CREDIT_SUM_DEBT": "Current debt on the Credit Bureau credit",
    "AMT_CREDIT_SUM_OVERDUE": "Current amount overdue on the Credit Bureau credit",
    "STATUS": "Monthly status of the Credit Bureau credit (C closed, X unknown, 0 no DPD, 1-5 DPD bands)",
    "MONTHS_BALANCE": "Month of the record relative to the application (-1 = latest)",
    "NAME_CONTRACT_STATUS": "Contract status during the month",
    "SK_DPD": "Days past due during the month",
    "SK_DPD_DEF": "Days past due during the month, small debts ignored",
    "DAYS_INSTALMENT": "When the instalment was due, relative to the application",
    "DAYS_ENTRY_PAYMENT": "When the instalment was actually paid, relative to the application",
    "AMT_INSTALMENT": "Amount due for the instalment",
    "AMT_PAYMENT": "Amount actually paid for the instalment",
    "AMT_BALANCE": "Balance of the credit card during the month",
    "AMT_CREDIT_LIMIT_ACTUAL": "Credit card limit during the month",
}
_WORDS = {
    "AMT": "amount", "CNT": "number of", "DAYS": "days", "FLAG": "flag", "NAME": "", "CODE": "code",
    "REG": "registered", "LIVE": "living", "NOT": "not", "WORK": "work", "AVG": "(average)",
    "MODE": "(mode)", "MEDI": "(median)", "APPR": "application", "REQ": "enquiries to the",
    "DEF": "with default", "OBS": "observed", "SOCIAL": "social", "CIRCLE": "circle",
    "CREDIT": "credit", "BUREAU": "bureau", "HOUR": "hour", "WEEK": "week", "MON": "month",
    "QRT": "quarter", "YEAR": "year", "DOCUMENT": "document", "EMP": "employer", "CONT": "contact",
    "DPD": "DPD", "CURR": "current", "PREV": "previous", "SUM": "sum", "INST": "instalment",
    "MIN": "minimum", "CUM": "cumulative", "POS": "POS", "ATM": "ATM",
}


def describe(column: str) -> str:
    if column in KEY_COLUMNS:
        return KEY_COLUMNS[column]
    words = [_WORDS.get(token, token.lower()) for token in column.split("_")]
    text = " ".join(w for w in words if w)
    return text[0].upper() + text[1:]


def write_descriptions(path: Path) -> int:
    """Write the description file; returns its number of rows."""
    rows = []
    seen_application = False
    for name, schema in raw_schemas().items():
        if name.startswith("application_"):
            if seen_application:
                continue
            seen_application, table = True, "application_{train|test}.csv"
            columns = list(raw_schemas()["application_train"].columns)
        else:
            table, columns = f"{schema.file}.csv", list(schema.columns)
        rows += [(table, column, describe(column)) for column in columns]
    with path.open("w", encoding="latin-1", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", "Table", "Row", "Description", "Special"])
        for i, (table, column, text) in enumerate(rows, start=1):
            writer.writerow([i, table, column, text, ""])
    return len(rows)
