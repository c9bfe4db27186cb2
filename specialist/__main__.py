import sys

from specialist.runner import main

sys.exit(main())
