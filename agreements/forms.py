"""Forms for signing an agreement (in the portal) and checking a signed copy."""

from typing import Any

from django import forms


def password_refusal(user: Any, password: str) -> str:
    """Why ``password`` does not prove, again, that the signer is ``user`` ("" if it does):
    the portal's form and the API ask the same."""
    if not password:
        return "Type your password again to sign."
    if not user.check_password(password):
        return "That password is not right."
    return ""


class SignatureForm(forms.Form):
    """A DPO's counter-signature: name and position as typed, the exact declaration ticked,
    the fingerprint of the document shown, and the password again when sign-in is old."""

    full_name = forms.CharField(
        max_length=200,
        error_messages={"required": "Type your full name."},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    position = forms.CharField(
        max_length=200,
        error_messages={"required": "Type your position, e.g. Data Protection Officer."},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    declaration = forms.BooleanField(
        error_messages={"required": "Tick the declaration to sign."},
    )
    document_sha256 = forms.RegexField(
        regex=r"^[0-9a-f]{64}$",
        widget=forms.HiddenInput,
        error_messages={"invalid": "The document fingerprint is missing: reload the page."},
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="You signed in more than 10 minutes ago: type your password again to sign.",
    )

    def __init__(self, *args: Any, declaration: str, user: Any, needs_password: bool,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.user = user
        self.needs_password = needs_password
        self.fields["declaration"].label = declaration
        if not needs_password:
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        refusal = password_refusal(self.user, password)
        if refusal:
            raise forms.ValidationError(refusal)
        return password


class VerifyForm(forms.Form):
    document = forms.FileField(
        label="Signed agreement (PDF)",
        error_messages={"required": "Choose the PDF to check.", "empty": "That file is empty."},
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"That file is larger than {self.max_bytes // (1024 * 1024)} MB: "
                "a signed agreement is much smaller."
            )
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError("That file is not a PDF.")
        return upload
