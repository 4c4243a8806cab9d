#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ypsi.settings")
    # Making migrations is a developer's step, never a deployment's: it runs on development
    # settings, so `manage.py makemigrations --check` needs nothing set. Every other command
    # gets production's defaults unless DEBUG=true is asked for.
    if sys.argv[1:2] == ["makemigrations"]:
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
