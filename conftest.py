pytest_plugins = ["careerstream.devstack.pytest_plugin"]
