from . import test_access
from . import test_call_log
from . import test_core_rules
from . import test_execution
from . import test_http_protocol
from . import test_seed_use_cases
from . import test_ui_tour
