"""The admin's figure form: one figure typed into the change form, checked like every entry."""

from django import forms
from django.utils.translation import gettext as _

from targets.models import NOTE_FIELDS, Figure

from .values import FigureDateField, FigureValueField, NoteField
from .write import Entry, check_entries


class FigureAdminForm(forms.ModelForm):
    """The admin's single-figure form; its checks are those of every entry path (`write.py`)."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Figure
        fields = ["target", "month", *Figure.ENTRY_FIELDS]
        field_classes = {
            "value": FigureValueField,
            "reached_on": FigureDateField,
            **dict.fromkeys(NOTE_FIELDS, NoteField),
        }
        widgets = {
            "progress_note": forms.Textarea(attrs={"rows": 3}),
            "problems": forms.Textarea(attrs={"rows": 3}),
            "correction_reason": forms.Textarea(attrs={"rows": 2}),
            "anomaly_note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # A figure belongs to its target and month for good: changing them would be another
            # figure. Shown, never taken from the request.
            for name in ("target", "month"):
                if name in self.fields:
                    self.fields[name].disabled = True
            if not self.is_bound:
                self.initial["base_version"] = self.instance.version
        self.entry = None

    def validate_unique(self):
        # Duplicates and concurrent edits are judged by `write.check_entries`, with clearer messages.
        pass

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        month = cleaned.get("month")
        if target is None or month is None or self.errors:
            return cleaned
        base_version = cleaned.get("base_version")
        if self.instance.pk is None:
            base_version = None
        elif base_version is None:
            base_version = self.instance.version
        self.entry = Entry(
            target=target,
            month=month,
            value=cleaned.get("value"),
            reached=cleaned.get("reached"),
            reached_on=cleaned.get("reached_on"),
            progress_note=cleaned.get("progress_note") or "",
            problems=cleaned.get("problems") or "",
            correction_reason=cleaned.get("correction_reason") or "",
            anomaly_note=cleaned.get("anomaly_note") or "",
            base_version=base_version,
        )
        if (
            self.instance.pk is None
            and Figure.objects.filter(target=target, month=month.replace(day=1)).exists()
        ):
            self.add_error(
                "month",
                _("该目标 %(month)s 的数据已存在,请修改原记录。") % {"month": month.strftime("%Y-%m")},
            )
            return cleaned
        (check,) = check_entries([self.entry], user=self.user)
        for name, message in check.errors.items():
            self.add_error(None if name == "__all__" else name, message)
        for message in check.warnings.values():
            self.add_error("anomaly_note", message)
        return cleaned
