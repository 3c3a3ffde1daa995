"""Kedro datasets and readers specific to the Home Credit files."""

from credit_scoring_kedro.io.columns_description_dataset import ColumnsDescriptionDataset
from credit_scoring_kedro.io.lazy_parquet_dataset import LazyParquetDataset
from credit_scoring_kedro.io.model_bundle_dataset import ModelBundleDataset
from credit_scoring_kedro.io.oversight_log_dataset import OversightLogDataset
from credit_scoring_kedro.io.prediction_log_dataset import PredictionLogDataset
from credit_scoring_kedro.io.raw_origin_dataset import RawDataOriginDataset
from credit_scoring_kedro.io.raw_table_dataset import HomeCreditTableDataset
from credit_scoring_kedro.io.spark_raw_table_dataset import SparkHomeCreditTableDataset

__all__ = ["ColumnsDescriptionDataset", "HomeCreditTableDataset", "LazyParquetDataset", "ModelBundleDataset",
           "OversightLogDataset", "PredictionLogDataset", "RawDataOriginDataset",
           "SparkHomeCreditTableDataset"]
