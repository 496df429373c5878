from . import webhook_mapping_suggest
from . import webhook_mapping_suggest_line
