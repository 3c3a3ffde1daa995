"""The contract of a scoring request: one application with the ``application_test`` columns.

Built from the raw-table contract (names and types), ``schema/application_request.yml``
(required fields and plausible bounds) and the model's training categories, so a request
the model cannot read faithfully is refused with a message naming the field, instead of
being scored on silently missing values.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    WithJsonSchema,
    create_model,
)

from credit_scoring_kedro.schema import table_schema

ID = "SK_ID_CURR"
MAX_BATCH = 1000
#: A what-if simulation searches what would change each refusal: a few records at a time.
MAX_SIMULATED = 20


@cache
def request_rules() -> dict:
    text = resources.files("credit_scoring_kedro.schema").joinpath(
        "application_request.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def application_columns() -> dict[str, str]:
    """Column -> schema dtype (int, float, str) of a raw application (TARGET excluded)."""
    return dict(table_schema("application_test").columns)


#: JSON numbers only: true/false or "12" are mistakes, not numbers. Strict validation
#: runs in pydantic-core (no Python call per field: a 1,000-record batch validates in ~25 ms).
NUMBER_ONLY = Strict()


_JSON_BOUND = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum"}


def _bounds(column: str) -> dict[str, Any]:
    for rule in request_rules()["bounds"]:
        if re.search(rule["pattern"], column):
            return {k: rule[k] for k in ("ge", "le", "gt") if k in rule} | {"why": rule["why"]}
    return {}


def column_field(column: str, dtype: str, categories: list[str] | None) -> tuple[Any, Any]:
    """The pydantic (type, Field) of one application column."""
    rules = request_rules()
    required = column in rules["required"]
    bounds = _bounds(column)
    why = bounds.pop("why", None)
    if dtype == "str":
        kind: Any = (Literal[tuple(categories)] if categories
                     else Annotated[str, Field(max_length=rules["max_text_length"])])
        description = (f"one of the {len(categories)} values seen in training" if categories
                       else "free text")
    elif dtype == "int":
        # JSON Schema's integer: a whole number, also written 3.0 (JSON does not tell them
        # apart and many clients' tools write floats); validated as a whole float (the model
        # reads floats), documented as an integer; the ID is given back as an int.
        schema = {"type": "integer"} | {_JSON_BOUND[k]: v for k, v in bounds.items()}
        checks = [Field(multiple_of=1, allow_inf_nan=False, **bounds), NUMBER_ONLY,
                  WithJsonSchema(schema)]
        if column == ID:
            checks.append(AfterValidator(int))
        kind = Annotated[(float, *checks)]
        description = why or "a whole number"
    else:
        kind = Annotated[float, Field(allow_inf_nan=False, **bounds), NUMBER_ONLY]
        description = why or "a number"
    if required:
        return kind, Field(..., description=description)
    return kind | None, Field(None, description=description)


def application_record_model(categories: dict[str, list[str]]) -> type[BaseModel]:
    """A pydantic model of one application; ``categories`` are the model's training labels."""
    fields = {col: column_field(col, dtype, categories.get(col))
              for col, dtype in application_columns().items()}
    return create_model("ApplicationRecord",
                        __config__=ConfigDict(extra="forbid", title="ApplicationRecord"),
                        __doc__="One credit application, with the application_test columns. "
                                "Absent optional fields are treated as unknown.",
                        **fields)


def predict_request_model(record: type[BaseModel], max_items: int = MAX_BATCH,
                          name: str = "PredictRequest") -> type[BaseModel]:
    """The body of ``POST /predict`` (1 to 1,000 applications) or ``POST /simulate`` (1 to 20)."""
    return create_model(name, __config__=ConfigDict(extra="forbid"),
                        __doc__=f"Applications to score (1 to {max_items:,}).",
                        clients=(list[record], Field(..., min_length=1, max_length=max_items)))
