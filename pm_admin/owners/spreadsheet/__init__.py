"""Owner spreadsheets: the import (a dry run that lists every problem, then an all-or-nothing commit), the
export in the grid's columns and order, and the import template."""
