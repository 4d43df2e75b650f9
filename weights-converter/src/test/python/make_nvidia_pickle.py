#!/usr/bin/env python3
"""Writes a small NVIDIA-style training snapshot pickle for the converter tests, WITHOUT torch.

The file has the structure of a stylegan2-ada-pytorch ``network-snapshot-*.pkl``:
``{'training_set_kwargs': {...}, 'G': <persistent>, 'D': <persistent>, 'G_ema': <persistent>,
'augment_pipe': <persistent>}``. Each network is pickled the way the persistence decorator does:
``torch_utils.persistence._reconstruct_persistent_obj(meta)`` with meta = dict(type='class',
version=4, module_src=<string>, class_name=<str>, state=<module __dict__>), the state holding
``_parameters`` / ``_buffers`` / ``_modules`` OrderedDicts, hook OrderedDicts, a
``_non_persistent_buffers_set`` set, ``_init_args`` / ``_init_kwargs`` and plain attributes (some
numpy float64 scalars). Parameters are ``torch._utils._rebuild_parameter(tensor, False,
OrderedDict())``, tensors ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, False,
OrderedDict())`` and every storage ``torch.storage._load_from_bytes(b)`` with ``b`` the legacy
torch.save bytes of that storage (location tag 'cuda:0').

The pickle emits those module.name references through stand-in Python objects registered under
the same names in ``sys.modules``; nothing from torch or NVIDIA is imported or copied. 2-D and
4-D weights are stored non-contiguously (transposed storages with matching strides) and the
noise_const buffers with a storage offset, to exercise stride/offset handling. ``module_src`` is a
string that would run a shell command if it were ever executed; the converter must ignore it.

Tensor values: G_ema and D are the nvlabs/nv_s32_c64 fixtures (``G_ema.state_dict.pt``,
``D.state_dict.pt``, read here with a minimal zip/pickle reader); G is G_ema * 1.01.

Usage: python3 make_nvidia_pickle.py <fixtures>/nvlabs/nv_s32_c64 <out.pkl>
"""
import collections
import io
import pickle
import struct
import sys
import types
import zipfile

import numpy as np

# ---------------------------------------------------------------- read the fixture state dicts


def read_state_dict(path):
    zf = zipfile.ZipFile(path)
    root = [n for n in zf.namelist() if n.endswith('/data.pkl')][0][:-len('data.pkl')]

    class U(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) == ('collections', 'OrderedDict'):
                return collections.OrderedDict
            if (module, name) == ('torch._utils', '_rebuild_tensor_v2'):
                def rebuild(storage, offset, size, stride, *rest):
                    itemsize = storage.itemsize
                    return np.lib.stride_tricks.as_strided(storage[offset:], shape=size,
                                                           strides=[s * itemsize for s in stride]).copy()
                return rebuild
            if module == 'torch' and name == 'FloatStorage':
                return 'float32'
            raise pickle.UnpicklingError(f'{module}.{name}')

        def persistent_load(self, pid):
            _, dtype, key, _, numel = pid
            return np.frombuffer(zf.read(f'{root}data/{key}'), dtype='<f4')[:numel]

    return U(io.BytesIO(zf.read(root + 'data.pkl'))).load()


# ---------------------------------------------------------------- stand-ins for the pickled globals

def module(name):
    m = types.ModuleType(name)
    sys.modules[name] = m
    return m


torch = module('torch')
torch_utils_ = module('torch._utils')
torch_storage = module('torch.storage')
module('torch_utils')
persistence = module('torch_utils.persistence')
module('dnnlib')
dnnlib_util = module('dnnlib.util')


def fn(mod, name):
    def f(*a):
        raise RuntimeError('stand-in')
    f.__module__, f.__qualname__, f.__name__ = mod.__name__, name, name
    setattr(mod, name, f)
    return f


rebuild_tensor_v2 = fn(torch_utils_, '_rebuild_tensor_v2')
rebuild_parameter = fn(torch_utils_, '_rebuild_parameter')
load_from_bytes = fn(torch_storage, '_load_from_bytes')
reconstruct = fn(persistence, '_reconstruct_persistent_obj')
FloatStorage = type('FloatStorage', (), {'__module__': 'torch'})
torch.FloatStorage = FloatStorage


class EasyDict(dict):
    pass


EasyDict.__module__ = 'dnnlib.util'
dnnlib_util.EasyDict = EasyDict

MAGIC = 0x1950a86a20f9469cfc6c


class Storage:
    def __init__(self, data):
        self.data = np.ascontiguousarray(data, dtype='<f4').ravel()

    def legacy_bytes(self):
        buf = io.BytesIO()
        for obj in (MAGIC, 1001, {'protocol_version': 1001, 'little_endian': True,
                                  'type_sizes': {'short': 2, 'int': 4, 'long': 4}}):
            pickle.dump(obj, buf, protocol=2)
        storage = self

        class P(pickle.Pickler):
            def persistent_id(self, obj):
                if obj is storage:
                    return ('storage', FloatStorage, '0', 'cuda:0', obj.data.size, None)
                return None

        P(buf, protocol=2).dump(self)
        pickle.dump(['0'], buf, protocol=2)
        buf.write(struct.pack('<q', self.data.size))
        buf.write(self.data.tobytes())
        return buf.getvalue()

    def __reduce__(self):
        return load_from_bytes, (self.legacy_bytes(),)


class Tensor:
    """A tensor with its own storage: 2-D/4-D weights transposed in storage, noise_const offset."""

    def __init__(self, a, name):
        a = np.asarray(a, dtype=np.float32)
        self.size = tuple(a.shape)
        if a.ndim in (2, 4):
            perm = (1, 0) if a.ndim == 2 else (1, 0, 2, 3)
            stored = np.ascontiguousarray(a.transpose(perm))
            cstride = [int(np.prod(stored.shape[i + 1:])) for i in range(a.ndim)]
            stride = [0] * a.ndim
            for i, p in enumerate(perm):
                stride[p] = cstride[i]
            self.storage, self.offset, self.stride = Storage(stored), 0, tuple(stride)
        elif name.endswith('noise_const'):
            pad = np.full(5, 123.0, np.float32)
            self.storage, self.offset = Storage(np.concatenate([pad, a.ravel()])), 5
            self.stride = tuple(int(np.prod(a.shape[i + 1:])) for i in range(a.ndim))
        else:
            self.storage, self.offset = Storage(a), 0
            self.stride = tuple(int(np.prod(a.shape[i + 1:])) for i in range(a.ndim))

    def __reduce__(self):
        return rebuild_tensor_v2, (self.storage, self.offset, self.size, self.stride, False, collections.OrderedDict())


class Parameter:
    def __init__(self, t):
        self.t = t

    def __reduce__(self):
        return rebuild_parameter, (self.t, False, collections.OrderedDict())


BUFFERS = {'resample_filter', 'noise_const', 'w_avg', 'p'}
MODULE_SRC = 'import os\nos.system("echo this module_src must never be executed")\n'


class Module:
    def __init__(self, class_name, init_kwargs=None, attrs=None):
        self.class_name = class_name
        self.params = collections.OrderedDict()
        self.buffers = collections.OrderedDict()
        self.modules = collections.OrderedDict()
        self.init_kwargs = init_kwargs or {}
        self.attrs = attrs or {}

    def __reduce__(self):
        state = {'training': False, '_parameters': self.params, '_buffers': self.buffers,
                 '_non_persistent_buffers_set': set(), '_backward_hooks': collections.OrderedDict(),
                 '_forward_hooks': collections.OrderedDict(), '_forward_pre_hooks': collections.OrderedDict(),
                 '_state_dict_hooks': collections.OrderedDict(),
                 '_load_state_dict_pre_hooks': collections.OrderedDict(), '_modules': self.modules,
                 '_init_args': (), '_init_kwargs': self.init_kwargs}
        state.update(self.attrs)
        meta = dict(type='class', version=4, module_src=MODULE_SRC, class_name=self.class_name, state=state)
        return reconstruct, (meta,)


def class_for(path, root):
    last = path[-1]
    if root == 'Generator':
        if path == ['mapping']: return 'MappingNetwork'
        if path == ['synthesis']: return 'SynthesisNetwork'
        if len(path) == 2 and path[0] == 'synthesis': return 'SynthesisBlock'
        if last in ('conv0', 'conv1'): return 'SynthesisLayer'
        if last == 'torgb': return 'ToRGBLayer'
        return 'FullyConnectedLayer'
    if path == ['b4']: return 'DiscriminatorEpilogue'
    if len(path) == 1: return 'DiscriminatorBlock'
    if last in ('fc', 'out'): return 'FullyConnectedLayer'
    return 'Conv2dLayer'


def build(sd, root_class, init_kwargs, scale=1.0):
    root = Module(root_class, init_kwargs, {'img_resolution': 32, 'img_channels': 3})
    for key, value in sd.items():
        parts = key.split('.')
        m = root
        for i, p in enumerate(parts[:-1]):
            if p not in m.modules:
                attrs = {}
                cls = class_for(parts[:i + 1], root_class)
                if cls == 'FullyConnectedLayer':
                    attrs = {'activation': 'linear', 'weight_gain': np.float64(0.125), 'bias_gain': np.float64(1.0)}
                m.modules[p] = Module(cls, {}, attrs)
            m = m.modules[p]
        name = parts[-1]
        t = Tensor(np.asarray(value) * scale if name not in BUFFERS else value, key)
        if name in BUFFERS:
            m.buffers[name] = t
        else:
            m.params[name] = Parameter(t)
    if root_class == 'Discriminator':  # parameter-free submodule, as in the real epilogue
        root.modules['b4'].modules['mbstd'] = Module('MinibatchStdLayer', {}, {'group_size': 4, 'num_channels': 1})
    return root


def main():
    fixtures, out = sys.argv[1], sys.argv[2]
    g_sd = read_state_dict(f'{fixtures}/G_ema.state_dict.pt')
    d_sd = read_state_dict(f'{fixtures}/D.state_dict.pt')
    g_kwargs = dict(z_dim=64, c_dim=0, w_dim=64, img_resolution=32, img_channels=3,
                    mapping_kwargs=EasyDict(num_layers=2),
                    synthesis_kwargs=EasyDict(channel_base=1024, channel_max=64, num_fp16_res=0, conv_clamp=None))
    d_kwargs = dict(c_dim=0, img_resolution=32, img_channels=3, architecture='resnet', channel_base=1024,
                    channel_max=64, num_fp16_res=0, conv_clamp=None, block_kwargs=EasyDict(),
                    mapping_kwargs=EasyDict(), epilogue_kwargs=EasyDict(mbstd_group_size=4))
    aug = Module('AugmentPipe', {'xflip': 1}, {'xflip': np.float64(1.0)})
    aug.buffers['p'] = Tensor(np.zeros([], np.float32), 'p')
    snapshot = dict(training_set_kwargs=dict(path='~/datasets/none.zip', resolution=32, use_labels=False),
                    G=build(g_sd, 'Generator', g_kwargs, scale=1.01),
                    D=build(d_sd, 'Discriminator', d_kwargs),
                    G_ema=build(g_sd, 'Generator', g_kwargs),
                    augment_pipe=aug)
    with open(out, 'wb') as f:
        pickle.dump(snapshot, f)  # default protocol, as the training loop does


if __name__ == '__main__':
    main()
