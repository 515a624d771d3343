"""The shell an administrator opens on the server: the models at hand, and no list of
history models it failed to import."""

import io

from django.core.management import call_command


def test_the_shell_imports_the_models_and_reports_no_failed_imports(db, capsys):
    said = io.StringIO()
    call_command("shell", command="print(Case.__name__, SessionRecord.__name__)", stdout=said)
    assert capsys.readouterr().out == "Case SessionRecord\n"
    assert "objects imported automatically" in said.getvalue()
    assert "could not be automatically imported" not in said.getvalue()
