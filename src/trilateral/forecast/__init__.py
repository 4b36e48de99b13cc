"""The forecast stage: dyad indices ahead with predictive intervals, and rolling-origin
backtests against the no-change and climatology baselines (see docs/forecast.md).

Examples
--------
>>> from trilateral.forecast import MODELS
>>> MODELS
('no_change', 'climatology', 'ar', 'ets', 'var')
"""

from __future__ import annotations

from ._backtest import SCORE_COLUMNS, BacktestResults, backtest, origins_between
from ._figures import fan_chart, fan_chart_html, fan_chart_png
from ._forecast import MAX_HORIZON, ForecastResults, check_horizon, forecast
from ._models import BASELINES, DEFAULT_MODELS, MODELS, fill_series

__all__ = [
    "BASELINES",
    "DEFAULT_MODELS",
    "MAX_HORIZON",
    "MODELS",
    "SCORE_COLUMNS",
    "BacktestResults",
    "ForecastResults",
    "backtest",
    "check_horizon",
    "fan_chart",
    "fan_chart_html",
    "fan_chart_png",
    "fill_series",
    "forecast",
    "origins_between",
]
