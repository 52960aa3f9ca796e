"""What the Python gRPC tests share: skipping (exit 77) when Debian's python3-grpcio,
python3-protobuf or protoc is missing, and compiling the project's .proto files for Python."""
import importlib
import os
import subprocess
import sys

SKIP = 77


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def require_grpc():
    """The grpc module, or a skip."""
    try:
        return importlib.import_module("grpc")
    except ImportError:
        skip("python3-grpcio is not installed (apt-get install python3-grpcio)")


def load_messages(proto_dir, workdir, names):
    """Compiles proto_dir/NAME.proto for each name into workdir; returns the NAME_pb2 modules."""
    if subprocess.call(["which", "protoc"], stdout=subprocess.DEVNULL) != 0:
        skip("protoc is not installed (apt-get install protobuf-compiler)")
    subprocess.check_call(["protoc", "-I", proto_dir, "--python_out", workdir,
                           *(os.path.join(proto_dir, n + ".proto") for n in names)])
    sys.path.insert(0, workdir)
    try:
        return [importlib.import_module(n + "_pb2") for n in names]
    except ImportError as e:
        skip("python3-protobuf is missing or too old: %s" % e)
