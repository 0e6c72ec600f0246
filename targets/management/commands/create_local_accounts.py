"""Create the local accounts a new installation needs, with random passwords printed once.

No password is shipped anywhere: each is generated here, shown on the terminal the first time
and stored only as a hash. Running the command again leaves existing accounts alone.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

ACCOUNTS = [
    # username, is_superuser, group
    ("admin", True, None),
    ("viewer", False, "viewer"),
]


class Command(BaseCommand):
    help = "Create the administrator and viewer accounts with random passwords (first run only)."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, is_superuser, group_name in ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(f"account {username}: already exists, password unchanged")
                continue
            password = secrets.token_urlsafe(12)
            if is_superuser:
                user = User.objects.create_superuser(username=username, password=password)
            else:
                user = User.objects.create_user(username=username, password=password)
            if group_name:
                group, _ = Group.objects.get_or_create(name=group_name)
                user.groups.add(group)
            self.stdout.write(f"account {username}: created, password {password}  (shown only this once)")
