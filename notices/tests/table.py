"""The notices' and the to-do page's rows of the role × URL table (targets/tests/test_permission_table.py).

`build` gives unit A's reporter one unread notice and unit A a group robot. Roles, in order:
anonymous, viewer, reporter of unit A, reporter of unit B, reviewer (督查室), admin.
"""

from notices.models import Kind, Notice, UnitWebhook

ADMIN_ONLY_PAGE = "L L 403 403 403 200"
ADMIN_ONLY_WRITE = "L L 403 403 403 302+"
NOT_A_FORM = "L 405 405 405 405 405"

EXPECTED = {
    # Everyone logged in has a to-do page and a notice centre of their own.
    "site todo:index GET": "L 200 200 200 200 200",
    "site todo:index POST": NOT_A_FORM,
    "site notices:list GET": "L 200 200 200 200 200",
    "site notices:list POST": NOT_A_FORM,
    # Marking read: only by POST, and only one's own notice; another user's is not there (404).
    "site notices:read GET": NOT_A_FORM,
    "site notices:read POST": "L 404 302+ 404 404 404",
    # Everyone may mark all of their own read; only unit A's reporter has one to mark.
    "site notices:read-all GET": NOT_A_FORM,
    "site notices:read-all POST": "L 302 302+ 302 302 302",
    # The units' group robots: admins only.
    "notices.unitwebhook changelist GET": ADMIN_ONLY_PAGE,
    "notices.unitwebhook add GET": ADMIN_ONLY_PAGE,
    "notices.unitwebhook add POST": ADMIN_ONLY_WRITE,
    "notices.unitwebhook change GET": ADMIN_ONLY_PAGE,
    "notices.unitwebhook change POST": ADMIN_ONLY_WRITE,
    "notices.unitwebhook delete GET": ADMIN_ONLY_PAGE,
    "notices.unitwebhook delete POST": ADMIN_ONLY_WRITE,
    "notices.unitwebhook history GET": ADMIN_ONLY_PAGE,
    "notices.unitwebhook history POST": ADMIN_ONLY_PAGE,
    "notices.unitwebhook object GET": "L L 302 302 302 302",
    "notices.unitwebhook object POST": "L L 302 302 302 302",
    "notices.unitwebhook action delete_selected": ADMIN_ONLY_WRITE,
}

OBJECT = {"notices.unitwebhook": "webhook_a"}
CHANGES = {"notices.unitwebhook": {"url": "https://oapi.dingtalk.com/robot/send?access_token=changed"}}


def add_changes(label: str, world) -> dict:
    """A new robot: unit B's (a unit has one)."""
    return {"unit": str(world.unit_b.pk)} if label == "notices.unitwebhook" else {}


def build(world) -> None:
    notice = Notice.objects.create(
        recipient=world.users["rep_a"],
        kind=Kind.ASSIGNED,
        text="督查室交办督办事项“1.2 举措2”",
        link=world.item_assigned.get_absolute_url(),
    )
    webhook = UnitWebhook.objects.create(
        unit=world.unit_a, url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=test"
    )
    world.objects.update(notice_a=notice, webhook_a=webhook)


def cases(Case, url, pk):
    result = []
    for name, args in (
        ("todo:index", ()),
        ("notices:list", ()),
        ("notices:read", (pk("notice_a"),)),
        ("notices:read-all", ()),
    ):
        result += [
            Case(f"site {name} GET", "GET", url(name, *args)),
            Case(f"site {name} POST", "POST", url(name, *args), lambda w: {}),
        ]
    return result
