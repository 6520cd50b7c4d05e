"""`casetrail user ...` and `casetrail unit ...`: accounts, API tokens, MFA and units.

These commands act as the local operator.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from casetrail.auth import service as auth_service
from casetrail.auth.models import User
from casetrail.auth.password_reset import reset_password
from casetrail.auth.roles import Role, Sensitivity
from casetrail.cli.names import unit_names
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_fields, print_result, print_table
from casetrail.cli.runtime import TOKEN_ENV, current_runtime, operator_transaction

user_app = typer.Typer(help="Create and list accounts, issue API tokens, enable MFA, reset passwords.")
unit_app = typer.Typer(
    help="Organisational units; supervisors see the cases of their unit and its sub-units."
)

Username = Annotated[str, typer.Argument(help="Login name of the account, e.g. rivera.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from standard input (one trailing newline is removed) instead of prompting.",
    ),
]


def read_password(from_stdin: bool) -> str:
    """Read a password from standard input, or prompt for it twice without echoing it."""
    if from_stdin:
        text = sys.stdin.read()
        if text.endswith("\n"):
            text = text.removesuffix("\n").removesuffix("\r")
        return text
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


def _user_data(user: User, units: dict[str, str]) -> dict[str, object]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "clearance": user.clearance,
        "unit": units.get(user.unit_id) if user.unit_id else None,
        "active": user.active,
        "mfa": user.totp_secret is not None,
        "last_login_at": user.last_login_at,
    }


@user_app.command("add")
def add_user(
    *,
    username: Username,
    role: Annotated[Role, typer.Option(help="System role of the account.")],
    password_stdin: PasswordStdin = False,
    display_name: Annotated[
        str | None, typer.Option(help="Name shown to other users. Default: the username.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="Name of the user's unit; a unit that does not exist is created.")
    ] = None,
    clearance: Annotated[
        Sensitivity, typer.Option(help="Highest case sensitivity label the user may see.")
    ] = Sensitivity.CONFIDENTIAL,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Create a local account."""
    password = read_password(password_stdin)
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        user = auth_service.create_user(
            session,
            ctx,
            runtime.settings,
            username=username,
            password=password,
            role=role.value,
            display_name=display_name,
            clearance=clearance.value,
            unit_name=unit,
        )
        data = _user_data(user, unit_names(session))
    print_result(output, data, lambda: typer.echo(f"created user {user.username} ({user.role})"))


@user_app.command("list")
def list_users(output: OutputOption = OutputFormat.TEXT) -> None:
    """List every account."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        units = unit_names(session)
        users = [_user_data(user, units) for user in auth_service.list_users(session, ctx)]
    columns = ("username", "display_name", "role", "clearance", "unit", "active", "mfa", "last_login_at")
    print_result(
        output,
        users,
        lambda: print_table(columns, [[user[name] for name in columns] for user in users]),
    )


@user_app.command("token")
def create_token(
    *,
    username: Username,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'laptop CLI'.")],
    days: Annotated[
        int, typer.Option(min=0, help="Days until the token expires; 0 for a token that never expires.")
    ] = 90,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Create an API token for an account and print it. Only its hash is stored."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        token = auth_service.create_api_token(session, ctx, username, name, days or None)
    data = {"username": username, "name": name, "days": days or None, "token": token}
    print_result(output, data, lambda: typer.echo(token))
    hint(f"Store the token now: it cannot be shown again. Use it with `export {TOKEN_ENV}=<token>`.")


@user_app.command("mfa")
def enable_mfa(username: Username, output: OutputOption = OutputFormat.TEXT) -> None:
    """Enable TOTP for an account and print the otpauth:// URI for an authenticator app.

    From then on the account needs a code from the app at every login. Running the command again
    replaces the secret, so the old app entry stops working.
    """
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        uri = auth_service.enable_totp(session, ctx, username)
    print_result(output, {"username": username, "otpauth_uri": uri}, lambda: typer.echo(uri))
    hint("Give the URI to the user only: it contains the secret. Most apps read it from a QR code.")


@user_app.command("password")
def set_password(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for an account, unlock it and end its browser sessions."""
    password = read_password(password_stdin)
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        reset_password(session, ctx, runtime.settings, username=username, password=password)
    typer.echo(f"password of {username} changed")


@unit_app.command("add")
def add_unit(
    *,
    name: Annotated[str, typer.Argument(help="Unit name, e.g. 'Financial Crimes Unit'.")],
    parent: Annotated[str | None, typer.Option(help="Name of the unit this one belongs to.")] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Create an organisational unit."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        unit = auth_service.create_unit(session, ctx, name, parent)
    data = {"id": unit.id, "name": unit.name, "parent": parent}
    print_result(
        output,
        data,
        lambda: print_fields([("created unit", unit.name), ("parent", parent or "none"), ("id", unit.id)]),
    )
