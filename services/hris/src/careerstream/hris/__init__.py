"""careerstream hris service: The HRIS gateway: vendor webhooks and full exports in, the canonical people stream out."""
