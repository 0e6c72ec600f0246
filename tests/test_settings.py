"""Settings read from the environment: the database connection's options."""

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from zhongyuan import settings as project_settings


@pytest.fixture
def reload_settings(monkeypatch):
    """Reloads the settings module under the test's environment, and once more after it."""

    def reload(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(project_settings)

    yield reload
    monkeypatch.undo()
    importlib.reload(project_settings)


def test_postgresql_connections_plan_for_data_in_memory(reload_settings, monkeypatch):
    monkeypatch.delenv("PG_RANDOM_PAGE_COST", raising=False)
    settings = reload_settings(DATABASE_URL="postgres://u@db.example:5432/zhongyuan")
    assert settings.DATABASES["default"]["OPTIONS"]["options"] == "-c random_page_cost=1.1"


def test_the_page_cost_is_configurable_and_keeps_options_from_the_url(reload_settings):
    settings = reload_settings(
        DATABASE_URL="postgres://u@db.example:5432/zhongyuan?options=-c%20statement_timeout%3D5000",
        PG_RANDOM_PAGE_COST="2",
    )
    assert settings.DATABASES["default"]["OPTIONS"]["options"] == (
        "-c statement_timeout=5000 -c random_page_cost=2.0"
    )


def test_a_page_cost_that_is_not_a_number_stops_the_start(reload_settings):
    with pytest.raises(ImproperlyConfigured, match="PG_RANDOM_PAGE_COST must be a number"):
        reload_settings(DATABASE_URL="postgres://u@db.example/zhongyuan", PG_RANDOM_PAGE_COST="1; DROP")


def test_sqlite_gets_no_postgresql_options(reload_settings):
    settings = reload_settings(DATABASE_URL="sqlite:///x.sqlite3")
    assert "options" not in settings.DATABASES["default"].get("OPTIONS", {})
