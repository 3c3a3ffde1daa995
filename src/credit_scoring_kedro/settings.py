"""Project settings: configuration loading, hooks and the MLflow URI resolver."""

import warnings

from kedro.config import OmegaConfigLoader
from omegaconf.resolvers import oc

from credit_scoring_kedro.hooks import ClearErrorHooks, SparkHooks
from credit_scoring_kedro.paths import project_root, under_project

# Known noise from the pinned stack (see ../shared/STACK.md), not problems of this project.
warnings.filterwarnings("ignore", message=r"register_new_resolver\(\) is deprecated")
warnings.filterwarnings("ignore", message=r".*Add type hints to the `predict` method")

HOOKS = (ClearErrorHooks(), SparkHooks())

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "merge_strategy": {"parameters": "soft", "globals": "soft"},
    # oc.env lets MLFLOW_TRACKING_URI and CREDIT_DATA_ROOT override the defaults (tests, CI, prod);
    # project_root / project_path make every configured path absolute, whatever the working directory.
    "custom_resolvers": {"oc.env": oc.env, "project_root": lambda: str(project_root()),
                         "project_path": under_project},
    # conf/spark/spark.yml: the Spark session of `kedro run --env spark` (SparkHooks)
    "config_patterns": {"spark": ["spark*", "spark*/**"]},
}
