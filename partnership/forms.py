from allauth.account.forms import LoginForm as AllauthLoginForm
from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from .models import User


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with GOV.UK wording: labels and hints, not placeholders."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["password"].help_text = ""
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["spellcheck"] = "false"
        self.fields["login"].error_messages["required"] = "Enter your email address"
        self.fields["login"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.org"
        )
        self.fields["password"].error_messages["required"] = "Enter your password"


class EmailFrequencyForm(forms.ModelForm):
    """How often a person is emailed about referrals: as each thing happens, or in one daily digest."""

    class Meta:
        model = User
        fields = ["email_frequency"]
        labels = {"email_frequency": "How often do you want to get emails about referrals?"}
        help_texts = {
            "email_frequency": "Your notifications in Partnership Hub, and reminders about referrals waiting for "
                               "a reply, are not affected: they always come straight away.",
        }
        widgets = {"email_frequency": forms.RadioSelect}
        error_messages = {"email_frequency": {"required": "Select how often you want to get emails"}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email_frequency"].choices = [
            Choice(User.EmailFrequency.EACH, User.EmailFrequency.EACH.label,
                   hint="An email for each new referral, and each answer to a referral you made"),
            Choice(User.EmailFrequency.DAILY, User.EmailFrequency.DAILY.label,
                   hint="One email each morning with everything since the last one"),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's form has its token
        self.helper.layout = Layout(Field.radios("email_frequency", legend_size=Size.MEDIUM, legend_tag="h2"))
