"""A school's DPO signs an agreement version through the API, with the portal's checks.

``GET  /api/v1/agreement-versions/{id}/sign/?school=URN`` says what signing takes: the exact
declaration for that school, the PDF's SHA-256 and whether the password must be typed again.
``POST`` the same URL signs: the school's URN, the signer's name and position, the declaration
word for word (a system cannot sign without showing the DPO what they confirm), the SHA-256 of
the PDF the DPO read, and the password when the caller's proof of identity is not recent: a
browser session signed in more than ``SIGNING_REAUTH_SECONDS`` ago, or a token that is not a
signing token (``ApiToken.may_sign``, a DPO's token that expires within 30 days).

``agreements.signing.sign_agreement`` then checks and records exactly what the portal's form
does (the DPO of that school, a school asked to sign, the version in force, the very PDF).
Another school's URN answers 404 to a DPO; staff and auditors answer 403 (only a school's DPO
signs). Signing twice answers 200 with the first signature.
"""

from typing import Any

from axes.helpers import get_client_ip_address
from django.http import Http404
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request

from agreements.forms import password_refusal
from agreements.models import AgreementVersion, Signature
from agreements.signing import (
    NotTheSchoolsDPO,
    SigningRefused,
    VersionChanged,
    declaration_text,
    sign_agreement,
)
from governance.api import roles
from governance.api.writes import NON_FIELD
from governance.models import School
from governance.portal.views import needs_password, record_authentication


class SigningTermsSerializer(serializers.Serializer):
    school = serializers.CharField(help_text="The school's URN.")
    asked = serializers.BooleanField(help_text="Whether the school is asked to sign it.")
    declaration = serializers.CharField(
        help_text="The exact words the DPO confirms: send them back unchanged to sign."
    )
    document_sha256 = serializers.CharField(
        help_text="SHA-256 of the version's PDF: send it back to show which document was read."
    )
    password_required = serializers.BooleanField(
        help_text="Whether the signer must send their password: the sign-in is older than the "
        "signing window, or the token is not a signing token."
    )
    signed = serializers.IntegerField(
        allow_null=True, help_text="The school's signature of this version (its id), if any."
    )


class SignRequestSerializer(serializers.Serializer):
    school = serializers.RegexField(
        r"^[0-9]{6,7}$", help_text="The URN of the school signed for (you are its DPO)."
    )
    full_name = serializers.CharField(max_length=200, help_text="Your full name, as you sign.")
    position = serializers.CharField(
        max_length=200, help_text="Your position, e.g. Data Protection Officer."
    )
    declaration = serializers.CharField(
        trim_whitespace=False,
        help_text="The declaration, exactly as `GET …/sign/?school=URN` words it.",
    )
    document_sha256 = serializers.RegexField(
        r"^[0-9a-f]{64}$", help_text="SHA-256 (hex) of the PDF you read."
    )
    password = serializers.CharField(
        required=False,
        trim_whitespace=False,
        write_only=True,
        style={"input_type": "password"},
        help_text="Your password: required when `password_required` says so.",
    )


def _password_required(request: Request) -> bool:
    token = request.auth
    if token is not None and hasattr(token, "may_sign"):
        return not token.may_sign
    return needs_password(request._request)


def _dpo_school(request: Request, urn: str) -> School:
    """The caller's school ``urn`` (404 for any other: a DPO never learns another school's)."""
    if roles.api_role(request) != roles.DPO:
        raise exceptions.PermissionDenied(
            "Only a school's Data Protection Officer signs for it, with their own account."
        )
    school = roles.dpo_schools(request).select_related("authority").filter(urn=urn).first()
    if school is None:
        raise Http404("No such school among yours.")
    return school


class SigningConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "version_changed"


class SignPermission(permissions.BasePermission):
    """Anonymous callers: 401. Who may sign for which school is checked on the school."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if roles.api_role(request) is None:
            raise exceptions.NotAuthenticated()
        return True


def terms(request: Request, version: AgreementVersion) -> dict[str, Any]:
    """What signing ``version`` for the school of ``?school=`` takes."""
    urn = request.query_params.get("school", "")
    if not urn:
        raise exceptions.ValidationError({"school": ["Name the school (its URN)."]})
    school = _dpo_school(request, urn)
    signature = version.signatures.filter(school=school).values_list("pk", flat=True).first()
    return SigningTermsSerializer(
        {
            "school": school.urn,
            "asked": version.requests.filter(school=school).exists(),
            "declaration": declaration_text(version, school),
            "document_sha256": version.pdf_sha256,
            "password_required": _password_required(request),
            "signed": signature,
        }
    ).data


def _check_confirmation(
    request: Request, version: AgreementVersion, school: School, data: dict[str, Any]
) -> None:
    """The declaration word for word, and the password when proof of identity is old."""
    errors: dict[str, list[str]] = {}
    expected = declaration_text(version, school)
    if data["declaration"] != expected:
        errors["declaration"] = [f"Send the declaration exactly as worded: “{expected}”"]
    if _password_required(request):
        refusal = password_refusal(request.user, data.get("password", ""))
        if refusal:
            errors["password"] = [refusal]
    if errors:
        raise exceptions.ValidationError(errors)


def sign(request: Request, version: AgreementVersion) -> tuple[Signature, bool]:
    """Sign ``version`` as the request says; return the signature and whether it is new.
    Raise 400 (field messages), 403, 404 or 409, having changed nothing."""
    payload = SignRequestSerializer(data=request.data)
    unknown = sorted(set(request.data) - set(payload.fields))
    if unknown:
        raise exceptions.ValidationError({name: ["Unknown field."] for name in unknown})
    payload.is_valid(raise_exception=True)
    data = payload.validated_data
    school = _dpo_school(request, data["school"])
    _check_confirmation(request, version, school, data)
    try:
        result = sign_agreement(
            version=version,
            school=school,
            user=request.user,
            full_name=data["full_name"],
            position=data["position"],
            declaration_ticked=True,
            shown_sha256=data["document_sha256"],
            ip_address=get_client_ip_address(request._request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except VersionChanged as error:
        raise SigningConflict(str(error)) from error
    except NotTheSchoolsDPO as error:
        raise exceptions.PermissionDenied(str(error)) from error
    except SigningRefused as error:
        raise exceptions.ValidationError({NON_FIELD: [str(error)]}) from error
    if data.get("password") and request.auth is None:
        record_authentication(request._request)  # as the portal: the password was typed
    return result.signature, result.created
