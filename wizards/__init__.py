from . import webhook_mapping_suggest
from . import webhook_mapping_suggest_line
from . import webhook_endpoint_recover
from . import webhook_endpoint_test
