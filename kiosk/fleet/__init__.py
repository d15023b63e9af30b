"""The city's fleet service (`kiosk-fleet serve`) and the terminal's side of it.

Server (needs the `fleet` extra): models, migrations, app (API + console), auth,
publish (reviewed catalogue changes -> signed TUF versions), cli.
Terminal (standard library only): client (enrolment, outbox, reporter thread).
Nothing personal is reported: counters, states and versions only.
"""
