"""Maps the top-level folders onto the ``fleetdeck`` package.

The repository keeps app/, widgets/, services/ and styles/ at the top level (see ARCHITECTURE.md) while the
installed distribution exposes them as fleetdeck.app, fleetdeck.widgets, ... Subpackages are found by walking
the folders, so a new service package needs no edit here.
"""

from setuptools import find_packages, setup

TOP_LEVEL = ("app", "widgets", "services", "styles")

packages = ["fleetdeck"]
package_dir = {"fleetdeck": "fleetdeck"}
for top in TOP_LEVEL:
    package_dir[f"fleetdeck.{top}"] = top
    packages.append(f"fleetdeck.{top}")
    packages.extend(f"fleetdeck.{top}.{sub}" for sub in find_packages(where=top))

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={"fleetdeck.styles": ["*.tcss"], "fleetdeck.services": ["store/migrations/*.sql"]},
    include_package_data=True,
)
