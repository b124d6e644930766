from mhhsarch.cli import main

main()
