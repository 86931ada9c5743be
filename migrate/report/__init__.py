"""The review report (`zoho-migrate report`) and the CI setup (`zoho-migrate init`).

model builds plain data from a scan, the rewrite plan and verify results; sources reads masked code context;
leaks and oauth derive the "revoke what leaked" and "OAuth setup" sections from rules data; render turns the
model into HTML or Markdown through jinja2 templates (templates/), masking every value on the way out.
"""
