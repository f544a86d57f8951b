"""Load a screening instrument file as a new instrument version (docs/screening.md).

manage.py load_instrument path/to/instrument.json
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from thrive.screening.instruments import InstrumentError, load_instrument, read_instrument
from thrive.screening.models import ScreeningInstrument


class Command(BaseCommand):
    help = (
        "Load a screening instrument file. A new version of a code is added beside the old "
        "ones; a loaded code and version with a different definition is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the instrument's JSON file")

    def handle(self, *args, file, **options):
        try:
            definition = read_instrument(file)
            instrument, created = load_instrument(
                definition, ScreeningInstrument=ScreeningInstrument
            )
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from None
        except InstrumentError as error:
            raise CommandError(
                _("%(file)s was not loaded:") % {"file": file}
                + "".join(f"\n- {problem}" for problem in error.problems)
            ) from None
        if created:
            message = _("Loaded %(code)s version %(version)s.")
        else:
            message = _("%(code)s version %(version)s is already loaded; nothing changed.")
        self.stdout.write(message % {"code": instrument.code, "version": instrument.version})
