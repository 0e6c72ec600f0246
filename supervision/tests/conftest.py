import datetime as dt
import struct
import zlib

import pytest

from entry.roles import ADMIN, REPORTER, REVIEWER, VIEWER, assign_role
from supervision.models import SupervisedItem
from targets.tests.factories import make_plan, make_task, make_unit, make_user


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def people(db):
    users = {}
    for name, role in (
        ("viewer", VIEWER),
        ("rep_a", REPORTER),
        ("rep_b", REPORTER),
        ("reviewer", REVIEWER),
        ("admin", ADMIN),
    ):
        users[name] = make_user(name, email=f"{name}@example.gov.cn")
        assign_role(users[name], role)
    return users


@pytest.fixture
def item(people):
    plan = make_plan()
    task = make_task(plan, 2, title="全力以赴稳增长")
    unit_a, unit_b = make_unit("甲单位"), make_unit("乙单位")
    unit_a.members.add(people["rep_a"])
    unit_b.members.add(people["rep_b"])
    return SupervisedItem.objects.create(
        plan=plan,
        key_task=task,
        code="2.1",
        title="突出稳企业",
        source_text="突出稳企业。发改、财政等部门要协同发力。",
        due_date=dt.date(2020, 12, 31),
    )
