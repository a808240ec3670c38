"""Periodic reports 定期报告: the monthly report per community (stored once its month is closed) as XLSX and PDF, and
the weekly repair-callback batch list 维修回访批次单 (seed 003 5.28.2)."""
