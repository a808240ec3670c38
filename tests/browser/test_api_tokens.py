"""An admin issues an integration token (shown once, working at once) and revokes it (refused at once)."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def test_an_admin_issues_a_token_a_bi_tool_uses_then_revokes_it(page, live_server):
    log_in(page, "demo.admin")
    page.wait_for_url(at_home)
    page.goto("/admin/api-tokens")
    page.get_by_test_id("token-new").click()
    form = page.get_by_test_id("token-form")
    page.get_by_test_id("token-form-save").click()  # nothing chosen: told beside the fields, nothing issued
    expect(form.get_by_text("请选择有效的权限范围")).to_be_visible()
    form.get_by_test_id("token-name").fill("经营分析 BI")
    form.get_by_text("读取经营指标", exact=True).click()
    form.get_by_text("全部小区", exact=True).click()
    page.get_by_test_id("token-form-save").click()
    token = page.get_by_test_id("token-value").inner_text()
    assert token.startswith("pmi_")
    screenshot(page, "api-token-issued")
    api = httpx.Client(base_url=live_server.base_url + "/api/v1", headers={"Authorization": f"Bearer {token}"})
    assert api.get("/integration/kpis").status_code == 200
    assert api.get("/integration/tickets").status_code == 403  # not its scope
    page.keyboard.press("Escape")
    row = page.get_by_test_id("token-row").filter(has_text="经营分析 BI")
    row.get_by_test_id("token-revoke").click()
    page.get_by_test_id("revoke-form-save").click()
    expect(row).to_contain_text("已吊销")
    assert api.get("/integration/kpis").status_code == 401
