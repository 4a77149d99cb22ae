from search.cli.commands import main

main(prog_name="jobsearch")
