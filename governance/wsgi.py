"""WSGI entry point for gunicorn."""

import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

application = get_wsgi_application()

# Load the URLconf (every view, form and admin module) now rather than on the first request,
# then set everything loaded so far aside from the garbage collector: its collections during
# a request then walk what the request made, not the whole application again. gunicorn
# imports this module in each worker after forking, so each worker freezes its own objects.
import_module(settings.ROOT_URLCONF)
gc.freeze()
