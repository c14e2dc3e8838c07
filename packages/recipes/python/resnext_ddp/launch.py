"""torchrun, started as `python3 -m resnext_ddp.launch <torchrun arguments>`: runs
torch.distributed.run's main (what the `torchrun` script runs) in the interpreter that has torch.

torch releases before 2.0 on Python 3.11 cannot parse torchrun's own default `--redirects 0` and
`--tee 0` (Python 3.11 no longer iterates the zero member of an IntFlag, so Std.from_str returns
None and every launch fails with "'NoneType' object has no attribute 'get'"). Debian 12 ships that
pair (python3-torch 1.13, Python 3.11); the parser is replaced when it shows the fault."""
import re
import sys

from torch.distributed.elastic.multiprocessing import api
from torch.distributed.elastic.multiprocessing.api import SignalException
from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
from torch.distributed.run import parse_args, run


def _from_str(cls, vm):
    if re.match(api._VALUE_REGEX, vm):
        return cls(int(vm))
    if re.match(api._MAPPING_REGEX, vm):
        return {int(i): cls(int(v)) for i, v in (m.split(":") for m in vm.split(","))}
    raise ValueError(f"{vm} does not match: <{api._VALUE_REGEX}> or <{api._MAPPING_REGEX}>")


if api.Std.from_str("0") is None:
    api.Std.from_str = classmethod(_from_str)


def launch(argv):
    """torchrun's main; a failed worker's exit code (128 + signal when a signal ended it) becomes
    the launcher's, without the launcher's own traceback (the worker has said what went wrong).
    A signal to the launcher reaches the workers, which stop after a checkpoint; it then exits
    with 128 + that signal."""
    try:
        run(parse_args(argv))
    except ChildFailedError as e:
        code = next(iter(e.failures.values())).exitcode
        return code if code > 0 else 128 - code
    except SignalException as e:
        return 128 + int(e.sigval)
    return 0


if __name__ == "__main__":
    sys.exit(launch(sys.argv[1:]))
