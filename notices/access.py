"""Whose notices a user may see and mark: only their own. Another user's notice is not there (404)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from .models import Notice


def own_notices(user) -> QuerySet[Notice]:
    return Notice.objects.for_user(user)


def get_notice_for(user, pk) -> Notice:
    return get_object_or_404(
        Notice.objects.filter(recipient=user) if user.is_active else Notice.objects.none(), pk=pk
    )
