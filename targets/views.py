from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Plan


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "targets/plan_list.html", {"plans": Plan.objects.all()})
