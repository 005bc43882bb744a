"""The application: settings, storage, sync, the answer service, traces and the CLI.
This is the composition root: the only package that reads settings or touches the database."""
