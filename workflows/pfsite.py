"""Site fixes the Snakefile applies before any job (imported, not included)."""
import os
import pwd


def ensure_user():
    """Snakemake 7.21's SLURM executor reads the environment's USER to look up an account
    (sacct) when the profile gives none, and stops with KeyError: 'USER' where USER is
    unset (root containers): set it to the login name of the uid."""
    if not os.environ.get("USER"):
        os.environ["USER"] = pwd.getpwuid(os.getuid()).pw_name
