"""markwatch: watches how companies use the 上海标准 mark and flags misuse."""

__version__ = "0.1.0"
