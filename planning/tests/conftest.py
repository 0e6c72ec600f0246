import pytest

from entry.roles import ADMIN, REVIEWER, assign_role
from targets.tests.factories import make_user


@pytest.fixture
def chief(db):
    user = make_user("chief", is_staff=True)
    assign_role(user, ADMIN)
    return user


@pytest.fixture
def chief_client(client, chief):
    client.force_login(chief)
    return client


@pytest.fixture
def reviewer_client(client, db):
    user = make_user("checker", is_staff=True)
    assign_role(user, REVIEWER)
    client.force_login(user)
    return client
