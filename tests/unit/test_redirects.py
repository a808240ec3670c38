"""After sign-in the login page sends the user to ``next`` only when it is a path of this app."""

import pytest

from pm_admin.auth.redirects import safe_next


@pytest.mark.parametrize("path", ["/", "/owners", "/owners/12", "/tickets/board", "/places/rooms",
                                  "/owners?community=3&page=2", "/archives/requests/"])
def test_paths_of_the_app_are_kept(path):
    assert safe_next(path) == path


@pytest.mark.parametrize("path", [
    None, "", "owners", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "/%09/evil.example".replace("%09", "\t"), "/\n/evil.example", "/\r/evil.example",
    " /owners", "/owners\n", "https://evil.example/", "http:/evil.example", "javascript:alert(1)",
    "/./evil", "/../etc/passwd", "/owners/../..//evil.example", "/owners#//evil", "/%2F%2Fevil.example/x y",
    "/" + "a" * 600,
])
def test_anything_a_browser_could_read_as_another_site_goes_home(path):
    assert safe_next(path) == "/"
