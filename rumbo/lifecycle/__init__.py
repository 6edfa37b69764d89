"""The legal life of a plan: validity (vigencia) and revisions, statutory deadlines, formulation
and approval routes, and the information inventory for diagnosis.

Three areas, each a subpackage with its own models, services, selectors, pages and API:
`validity` (periods, vigencia engine, deadlines, revision wizard), `routes` (formulation and
implementation routes, approval procedures with deadline trackers) and `inventory` (studies and
maps an office holds, and the gap report against what each plan type requires).
"""
