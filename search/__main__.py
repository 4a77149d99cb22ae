from search.cli import main

main(prog_name="jobsearch")
