import time


def read_config_from_disk():
    # pretend this is a slow NFS read
    time.sleep(0.3)  # EXPECT: blocking-call
    return {"db": "postgres://127.0.0.1/app", "pool": 5}


def load_settings():
    cfg = read_config_from_disk()
    cfg["loaded"] = True
    return cfg
