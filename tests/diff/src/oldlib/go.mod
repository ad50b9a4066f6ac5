module example.com/oldlib

go 1.19
