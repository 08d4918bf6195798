from toolcheck.cli import main

main()
