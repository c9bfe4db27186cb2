import sys

from specialist.pipeline.cli import main

sys.exit(main())
