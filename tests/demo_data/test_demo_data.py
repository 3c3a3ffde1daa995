"""The demo-data generator: real schema, consistent keys, plausible risk, determinism, drift."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest
from scipy.stats import ks_2samp

from credit_scoring_kedro.demo_data import generate_demo_data
from credit_scoring_kedro.demo_data.cli import main as cli_main
from credit_scoring_kedro.schema import raw_schemas

SAMPLE = Path(os.environ.get("HOME_CREDIT_SAMPLE", Path(__file__).resolve().parents[2].parent / "shared" / "data" / "home-credit-sample"))
TABLES = {name: f"{s.file}.csv" for name, s in raw_schemas().items()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo_data(out, n_train=2000, n_test=400, seed=11)
    return out


@pytest.fixture(scope="module")
def frames(demo) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(demo / file) for name, file in TABLES.items()}


def test_every_table_has_the_contract_columns_in_order(frames) -> None:
    for name, frame in frames.items():
        assert list(frame.columns) == list(raw_schemas()[name].columns), name


@pytest.mark.realdata
@pytest.mark.parametrize("name", [n for n in TABLES if n != "previous_application"])
def test_columns_and_dtypes_match_the_real_sample(frames, name) -> None:
    path = SAMPLE / TABLES[name]
    if not path.exists():
        pytest.skip(f"real Home Credit sample not found at {SAMPLE} (set HOME_CREDIT_SAMPLE)")
    real = pd.read_csv(path)
    generated = frames[name]
    assert list(generated.columns) == list(real.columns)
    for column in real.columns:
        real_kind, gen_kind = real[column].dtype.kind, generated[column].dtype.kind
        if real_kind == gen_kind:
            continue
        if generated[column].isna().all() or real[column].isna().all():
            continue  # an all-missing column reads as float whatever its type
        # the sample writes some integer columns as "1.0": accept int vs integral floats
        integral = real[column].dropna().pipe(lambda s: bool((s == s.round()).all()))
        assert {real_kind, gen_kind} == {"i", "f"} and integral, (name, column, real_kind, gen_kind)


@pytest.mark.realdata
def test_category_labels_come_from_the_real_sample(frames) -> None:
    if not SAMPLE.exists():
        pytest.skip(f"real Home Credit sample not found at {SAMPLE} (set HOME_CREDIT_SAMPLE)")
    for name in ("application_train", "bureau", "bureau_balance", "pos_cash_balance",
                 "credit_card_balance"):
        real = pd.read_csv(SAMPLE / TABLES[name])
        for column in real.columns:
            if real[column].dtype != object:
                continue
            generated = set(frames[name][column].dropna().unique())
            assert generated <= set(real[column].dropna().unique()), (name, column)


def test_keys_are_consistent_across_tables(frames) -> None:
    train, test = frames["application_train"], frames["application_test"]
    clients = set(train.SK_ID_CURR) | set(test.SK_ID_CURR)
    assert not set(train.SK_ID_CURR) & set(test.SK_ID_CURR)
    assert train.SK_ID_CURR.is_unique and test.SK_ID_CURR.is_unique
    bureau, previous = frames["bureau"], frames["previous_application"]
    assert bureau.SK_ID_BUREAU.is_unique and previous.SK_ID_PREV.is_unique
    assert set(bureau.SK_ID_CURR) <= clients
    assert set(frames["bureau_balance"].SK_ID_BUREAU) <= set(bureau.SK_ID_BUREAU)
    owner = dict(zip(previous.SK_ID_PREV, previous.SK_ID_CURR, strict=True))
    for name in ("pos_cash_balance", "installments_payments", "credit_card_balance"):
        frame = frames[name]
        assert (frame.SK_ID_PREV.map(owner) == frame.SK_ID_CURR).all(), name
    # like the real data, some clients have no history at all
    assert 0.05 < 1 - bureau.SK_ID_CURR.nunique() / len(clients) < 0.3


def test_realistic_values(frames) -> None:
    train = frames["application_train"]
    assert 0.06 <= train.TARGET.mean() <= 0.10
    pensioners = train.NAME_INCOME_TYPE == "Pensioner"
    assert pensioners.any() and (train.loc[pensioners, "DAYS_EMPLOYED"] == 365243).all()
    assert (train.loc[~pensioners & (train.NAME_INCOME_TYPE != "Unemployed"), "DAYS_EMPLOYED"] < 0).all()
    assert train.EXT_SOURCE_1.isna().mean() > 0.4
    assert train.loc[train.FLAG_OWN_CAR == "N", "OWN_CAR_AGE"].isna().all()
    assert (train.CNT_FAM_MEMBERS >= train.CNT_CHILDREN + 1).all()
    assert set(train.TARGET.unique()) == {0, 1}


def test_risk_shows_in_application_and_history(frames) -> None:
    train = frames["application_train"]
    late = frames["installments_payments"].assign(
        late=lambda f: f.DAYS_ENTRY_PAYMENT > f.DAYS_INSTALMENT).groupby("SK_ID_CURR").late.mean()
    joined = train.set_index("SK_ID_CURR").join(late.rename("late_share"))
    by_target = joined.groupby("TARGET")
    assert by_target.EXT_SOURCE_2.mean()[1] < by_target.EXT_SOURCE_2.mean()[0] - 0.05
    assert by_target.late_share.mean()[1] > by_target.late_share.mean()[0]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, demo) -> None:
    again = tmp_path / "again"
    generate_demo_data(again, n_train=2000, n_test=400, seed=11)
    assert _digest(again) == _digest(demo)
    other = tmp_path / "other"
    generate_demo_data(other, n_train=2000, n_test=400, seed=12)
    assert _digest(other)["application_train.csv"] != _digest(demo)["application_train.csv"]


def test_test_clients_are_drawn_with_a_documented_shift(tmp_path) -> None:
    out = tmp_path / "drift"
    generate_demo_data(out, n_train=6000, n_test=6000, seed=3)
    train, test = pd.read_csv(out / "application_train.csv"), pd.read_csv(out / "application_test.csv")
    assert ks_2samp(train.AMT_CREDIT, test.AMT_CREDIT).pvalue < 1e-6      # shifted: +10 %
    assert ks_2samp(train.DAYS_BIRTH, test.DAYS_BIRTH).pvalue < 1e-6      # shifted: older
    assert ks_2samp(train.AMT_INCOME_TOTAL, test.AMT_INCOME_TOTAL).pvalue > 1e-3  # not shifted


def test_cli_refuses_to_overwrite(tmp_path, demo, capsys) -> None:
    assert cli_main(["--clients", "50", "--out", str(demo), "--quiet"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli_main(["--clients", "50", "--test-clients", "5", "--out", str(tmp_path / "x"),
                     "--quiet"]) == 0
    assert len(pd.read_csv(tmp_path / "x" / "application_train.csv")) == 50


def test_history_rows_scale_with_clients(frames) -> None:
    n = len(frames["application_train"]) + len(frames["application_test"])
    full = 307_511 + 48_744
    assert len(frames["installments_payments"]) == round(13_605_401 * n / full)
    assert len(frames["bureau_balance"]) == round(27_299_925 * n / full)
