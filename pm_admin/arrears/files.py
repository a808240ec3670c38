"""The arrears import upload (房号, 欠费金额, 欠费起始日期)."""

from pm_admin.core.files import UploadPurpose
from pm_admin.core.permissions import Perm

ARREARS_PURPOSE = "arrears_import"

ARREARS_UPLOAD = UploadPurpose(Perm.ARREARS_MANAGE, 10 * 1024 * 1024, (".csv", ".xlsx"))
