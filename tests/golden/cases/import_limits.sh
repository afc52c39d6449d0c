# A file of many bad rows lists the first 100 problems in file order, then says how many more.
B=l.ratable
r -b $B init --company "Northwind Ltd" --currency USD
{
    echo "code,name"
    i=0
    while [ $i -lt 250 ]; do
        echo "BAD CODE $i,Customer $i"
        i=$((i + 1))
    done
} > many.csv
r -b $B import customers many.csv > out.txt
head -n 2 out.txt
echo ...
tail -n 4 out.txt
r -b $B customer list
