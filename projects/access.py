"""Who may change which projects of the ledger (台账)."""

from targets.access import is_admin

from .models import Project


def editable_projects(user):
    """Projects this user may change in the ledger: an admin all, a reporter its units' ones."""
    if not user.is_active:
        return Project.objects.none()
    if is_admin(user):
        return Project.objects.all()
    if not user.has_perm("projects.change_project"):
        return Project.objects.none()
    return Project.objects.filter(responsible_unit__members=user)
