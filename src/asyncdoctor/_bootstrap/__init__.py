"""The bootstrap folder that ``asyncdoctor run`` puts first on its children's ``PYTHONPATH``.

It holds one module, ``sitecustomize.py``, which Python children import while
they start up: see :mod:`asyncdoctor.runtime._follow`.  Nothing imports this
package itself.
"""
