from . import controllers
from . import models
from . import wizards
from .hooks import pre_init_hook
from .receiver.log_masking import install_log_filters

install_log_filters()
