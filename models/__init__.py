from . import base_automation
from . import base_automation_demo
from . import base_automation_pipeline
from . import ir_actions_server
from . import ir_http
from . import webhook_call_log
