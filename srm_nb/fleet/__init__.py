"""A fleet: many accounts assessed in one run, each through exactly the single-account path.

    accounts.py      which accounts: the engagement's accounts file, validated; filters
    organization.py  which accounts: an AWS Organization's, with OU paths and tags
    worker.py        one account: `assess_account(spec, options)`, the same function in the
                     local process pool and as a Dask task; it writes its run and its state file
    runner.py        all of them: the pool or the Dask cluster, progress, resume, interrupts,
                     then fleet.json, the fleet's findings and the portfolio report

The fleet folder is OUTPUT/fleet/<UTC stamp>/; each account's run is where `srm assess` puts it,
OUTPUT/<account-id>/<UTC stamp>/.
"""
